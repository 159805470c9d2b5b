import { capabilities } from "../../../provider/drivers/gcp";
import { describeClusterContract } from "../../contract/cluster.contract";
import type { ContractEnv } from "../../contract/env";
import { describeNlbContract } from "../../contract/nlb.contract";
import { GcpHarness, startHarness } from "./harness";

describe("gcp driver: shared contract against the Compute fake", function () {
    let h: GcpHarness | undefined;
    let env: ContractEnv | undefined;

    before(async function () {
        h = await startHarness({ opPolls: 2 });
        env = h.contractEnv();
    });

    after(async function () {
        await h?.stop();
    });

    const getEnv = (): ContractEnv => {
        if (!env) throw new Error("the gcp contract env was not built (the fake did not start)");
        return env;
    };
    describeNlbContract("gcp", getEnv, capabilities);
    describeClusterContract("gcp", getEnv, capabilities);

    describe("after both contracts", function () {
        it("leaves no load-balancing part behind in the fake", async function () {
            const inv = await h!.fake.inventory();
            if (Object.values(inv).some(n => n !== 0)) throw new Error(`left behind: ${JSON.stringify(inv)}`);
        });
    });
});
