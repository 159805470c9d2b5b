import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { fieldTablesMarkdown } from "../../provider/resources/docs";

describe("README", () => {
    it("documents exactly the field tables the providers use", () => {
        const readme = fs.readFileSync(path.join(__dirname, "../../README.md"), "utf8");
        const m = /<!-- field-tables:start -->\n([\s\S]*?)\n<!-- field-tables:end -->/.exec(readme);
        assert.ok(m, "README has the field-tables markers");
        assert.strictEqual(
            m[1].trim(),
            fieldTablesMarkdown().trim(),
            "regenerate with: npx ts-node provider/resources/docs.ts",
        );
    });
});
