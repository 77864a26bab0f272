/** The app's routes, from Fastify's own tree (`printRoutes`), as "METHOD path"; HEAD/OPTIONS and built files left out. */
export function registeredRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('');
    // The web app's built files (index.html, assets) are public files, not routes of ours.
    // (/favicon.* are routes of ours.) Issue #18: the workbench's manifest and service worker too.
    const builtFile =
      (/^\/assets\/|\.(html|css|map|svg|ico|png|woff2?|webmanifest)$/.test(path) ||
        path === '/workbench/sw.js') &&
      !path.startsWith('/favicon.');
    if (builtFile || path === '*') continue;
    for (const method of m[3]!.split(', '))
      if (method !== 'HEAD' && method !== 'OPTIONS') routes.push(`${method} ${path}`);
  }
  return routes;
}
