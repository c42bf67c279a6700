// The echo server from the `ws` README, used as the peer in `collab bench ws`.
// Debian: apt-get install node-ws; run: node Benchmarks/ws-echo-node.js PORT [--broadcast]
// With --broadcast every message goes to every connected client (sender included), like
// `collab-echo --broadcast`.
// Debian installs node modules under /usr/share/nodejs, which a non-Debian node does not search.
module.paths.push('/usr/share/nodejs');
const { WebSocketServer } = require('ws');
const port = Number(process.argv[2] || 9001);
const broadcast = process.argv.includes('--broadcast');
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
wss.on('connection', (ws) => {
  if (broadcast) {
    ws.on('message', (data, isBinary) => {
      for (const client of wss.clients) client.send(data, { binary: isBinary });
    });
  } else {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  }
});
wss.on('listening', () => console.log(`ws echo listening on 127.0.0.1:${port}${broadcast ? ' (broadcast)' : ''}`));
