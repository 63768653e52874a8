// In a file of its own: the server's Content-Security-Policy (script-src 'self') refuses inline scripts.
navigator.serviceWorker.register('/bench-baseline/sw.js', { scope: '/bench-baseline/' });
