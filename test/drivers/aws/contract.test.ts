import { capabilities } from "../../../provider/drivers/aws";
import { describeClusterContract } from "../../contract/cluster.contract";
import { describeNlbContract } from "../../contract/nlb.contract";
import { AwsHarness, startHarness } from "./harness";

describe("aws driver: shared contract (against extended moto)", function () {
    this.timeout(300_000);
    let h: AwsHarness | undefined;

    before(async () => {
        h = await startHarness({ polls: 2 });
    });
    after(async () => {
        if (h) await h.stop();
    });

    const env = () => {
        if (!h) throw new Error("moto did not start; see the before-all hook failure");
        return h.contractEnv();
    };
    describeNlbContract("aws", env, capabilities);
    describeClusterContract("aws", env, capabilities);
});
