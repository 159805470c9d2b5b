// Mocha's spec reporter plus one plain closing line ("N passed, N failed, N skipped") that CI
// reads; skipped tests are counted separately, never as passes.
const Mocha = require("mocha");

class SpiderReporter extends Mocha.reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        runner.once("end", () => {
            const s = runner.stats;
            process.stdout.write(
                `\n${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ""}\n`,
            );
        });
    }
}

module.exports = SpiderReporter;
