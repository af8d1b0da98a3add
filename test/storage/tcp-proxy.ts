/** The proxy the tests cut to take a database away; it lives with the writer benchmark, which uses it too. */
export {startTcpProxy, type TcpProxy} from '../../source/bench/tcp-proxy.js';
