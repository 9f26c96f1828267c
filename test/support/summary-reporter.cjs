// Prints one plain closing line for CI and humans: "jest: N passed, N failed, N skipped".
require('./exit-guard.cjs');
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: passed, numFailedTests: failed, numPendingTests: skipped, numTodoTests: todo } = results;
    const suitesFailed = results.numFailedTestSuites + (results.numRuntimeErrorTestSuites || 0);
    process.stdout.write(`\njest: ${passed} passed, ${failed + (failed === 0 && suitesFailed > 0 ? suitesFailed : 0)} failed, ${skipped + todo} skipped\n`);
  }
}
module.exports = SummaryReporter;
