// Docker HEALTHCHECK for the visits image: exits 0 when the liveness route answers 200 on the ops
// port (OPS_PORT; the visit routes are on PORT). Uses node itself because the image carries no curl
// or wget.
const port = process.env.OPS_PORT ?? '8081';
try {
  const response = await fetch(`http://127.0.0.1:${port}/health/live`, {
    signal: AbortSignal.timeout(2_000),
  });
  process.exit(response.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
