// asyncio-ts/testing: tools for testing asyncio-ts programs deterministically.

export { VirtualTimeLoop } from "./virtual-time-loop.ts";
