/**
 * Counts driver calls made by the resource providers in this process, by wrapping the local
 * driver module's `open`. Proves "one precise cloud call" per changed field group.
 */
import type { Driver } from "../../provider/interface/driver";

export interface CallLog {
    calls: string[];
    reset(): void;
    restore(): void;
}

export function spyOnLocalDriver(): CallLog {
    const mod = require("../../provider/drivers/local") as { open: (...args: unknown[]) => Driver };
    const original = mod.open;
    const log: CallLog = {
        calls: [],
        reset() {
            log.calls.length = 0;
        },
        restore() {
            mod.open = original;
        },
    };
    const wrap = <T extends object>(target: T, prefix: string): T =>
        new Proxy(target, {
            get(t, prop, recv) {
                const v = Reflect.get(t, prop, recv);
                if (typeof v !== "function") return v;
                return (...args: unknown[]) => {
                    log.calls.push(`${prefix}.${String(prop)}`);
                    return (v as (...a: unknown[]) => unknown).apply(t, args);
                };
            },
        });
    mod.open = (...args: unknown[]) => {
        const d = original(...args);
        return { nlb: wrap(d.nlb, "nlb"), cluster: wrap(d.cluster, "cluster") };
    };
    return log;
}
