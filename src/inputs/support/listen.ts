// Start a TCP (or TLS, or HTTP) server listening, failing with the bind error (address in use, permission)
// instead of emitting it later. Shared by the network inputs.

import type { AddressInfo, Server } from 'node:net';

export function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
