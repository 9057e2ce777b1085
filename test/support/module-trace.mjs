// Registers a module hook that names every module loaded, on stderr (`LOADED <url>`): tests of
// what a command loads (cold start) read them.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`export async function load(url, context, next) {
  process.stderr.write('LOADED ' + url + '\\n');
  return next(url, context);
}`),
);
