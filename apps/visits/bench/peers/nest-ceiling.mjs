// The framework's ceiling: the service's app shape (NestJS 12, the Fastify adapter with the
// service's own server options) and a POST /visits controller route that does nothing but answer
// { pod, count }: no store, no disk, no hooks, no log, no metrics. Not durable, so not a peer of
// the service: what NestJS routing alone allows on one core. The limit ÷ this is what the
// framework costs; this ÷ the service is what the store, the hooks, the log and the metrics cost.
//
// Plain JavaScript like the other peers: the decorators are applied by hand (what tsc emits for
// them), and Nest is loaded from node_modules rather than the service's bundle.
import 'reflect-metadata';
import { Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { fastifyOptions } from '../../dist/http/fastify-options.js';

let count = 0;

class CeilingController {
  record() {
    count += 1;
    return { pod: 'nest-ceiling', count };
  }

  summary() {
    return { pod: 'nest-ceiling', count };
  }

  // The harness's readiness check (peers answer it on their one port).
  ready() {
    return { status: 'ok' };
  }
}

const route = (name, ...decorators) => {
  const proto = CeilingController.prototype;
  Reflect.decorate(decorators, proto, name, Object.getOwnPropertyDescriptor(proto, name));
};
route('record', Post('visits'), HttpCode(201));
route('summary', Get('visits'));
route('ready', Get('health/ready'));
Reflect.decorate([Controller()], CeilingController);

class CeilingModule {}
Reflect.decorate([Module({ controllers: [CeilingController] })], CeilingModule);

const app = await NestFactory.create(CeilingModule, new FastifyAdapter(fastifyOptions()), {
  logger: false,
});
await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
