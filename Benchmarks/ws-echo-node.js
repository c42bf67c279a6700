// The echo server from the `ws` README, used as the peer in `collab bench ws`.
// Debian: apt-get install node-ws; run: node Benchmarks/ws-echo-node.js PORT
// Debian installs node modules under /usr/share/nodejs, which a non-Debian node does not search.
module.paths.push('/usr/share/nodejs');
const { WebSocketServer } = require('ws');
const port = Number(process.argv[2] || 9001);
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on('listening', () => console.log(`ws echo listening on 127.0.0.1:${port}`));
