// The NodeGroup provider is this module's whole export: Pulumi then stores it in `__provider` as a
// require of this module (tiny) rather than as serialized code, when loaded from node_modules.
import { makeProvider } from "../provider";

export = makeProvider("NodeGroup");
