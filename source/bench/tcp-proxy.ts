import {connect, createServer, type Server, type Socket} from 'node:net';

/**
A loopback TCP proxy that can be stopped and started again on the same port: a network cut between
the monitor and its database, for the writer benchmark's outage and for the tests.
*/
export type TcpProxy = {
	readonly port: number;
	/** Listens again on the same port. */
	start(): Promise<void>;
	/** Stops listening and cuts every open connection. */
	stop(): Promise<void>;
};

/** Starts a proxy from an ephemeral 127.0.0.1 port to `host:port`. */
export async function startTcpProxy(host: string, port: number): Promise<TcpProxy> {
	const sockets = new Set<Socket>();
	let server: Server | undefined;
	let listenPort = 0;

	const start = async () => {
		const listening = createServer(client => {
			const upstream = connect(port, host);
			sockets.add(client);
			sockets.add(upstream);
			const cut = () => {
				client.destroy();
				upstream.destroy();
				sockets.delete(client);
				sockets.delete(upstream);
			};

			for (const socket of [client, upstream]) {
				socket.on('error', cut);
				socket.on('close', cut);
			}

			client.pipe(upstream);
			upstream.pipe(client);
		});
		await new Promise<void>(resolve => {
			listening.listen(listenPort, '127.0.0.1', resolve);
		});
		listenPort = (listening.address() as {port: number}).port;
		server = listening;
	};

	const stop = async () => {
		const listening = server;
		server = undefined;
		for (const socket of sockets) {
			socket.destroy();
		}

		sockets.clear();
		if (listening) {
			await new Promise(resolve => {
				listening.close(resolve);
			});
		}
	};

	await start();
	return {
		get port() {
			return listenPort;
		},
		start,
		stop,
	};
}
