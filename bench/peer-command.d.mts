/** Node flags every peer server gets (see peer-command.mjs). */
export declare const PEER_NODE_FLAGS: string[];
/** Compiles the TypeScript peers to .bench-build/ once per process; throws with tsc's output on failure. */
export declare function buildPeers(): void;
/** Node arguments that start the peer script `file` (a name in bench/peers/). */
export declare function peerNodeArgs(file: string): string[];
