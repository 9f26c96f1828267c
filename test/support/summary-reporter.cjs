// Prints one plain closing line for CI and humans: "jest: N passed, N failed, N skipped".
const { armAfterRun } = require('./exit-guard.cjs');
class SummaryReporter {
  constructor(globalConfig) {
    // In watch mode the process stays alive between runs on purpose.
    this.watching = Boolean(globalConfig && (globalConfig.watch || globalConfig.watchAll));
  }

  onRunComplete(_contexts, results) {
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTodoTests: todo } = results;
    const suitesFailed = results.numFailedTestSuites + (results.numRuntimeErrorTestSuites || 0);
    if (!this.watching) armAfterRun();
    process.stdout.write(`\njest: ${passed} passed, ${failed + (failed === 0 && suitesFailed > 0 ? suitesFailed : 0)} failed, ${skipped + todo} skipped\n`);
  }
}
module.exports = SummaryReporter;
