// Runs the station app's rule evaluator over the shared vectors and prints what it computes,
// for tests/web/test_rule_evaluation_js.py to compare with the vectors' expectations.
// Usage: node rule_vectors_runner.mjs <evaluate.js> <rule_set_vectors.json>
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath, vectorsPath] = process.argv.slice(2);
const { evaluateRules, parseCheck } = await import(pathToFileURL(modulePath).href);
const vectors = JSON.parse(readFileSync(vectorsPath, "utf-8"));
const cases = vectors.cases.map((vector) => ({
  name: vector.name,
  failures: evaluateRules(
    vectors.rule_sets[vector.rule_set],
    vector.protocol_fields,
    vector.station_facts,
  ),
}));
const checks = vectors.checks.map((vector) => {
  try {
    parseCheck(vector.check);
    return { check: vector.check, valid: true };
  } catch (error) {
    return { check: vector.check, valid: false, column: error.column, error: error.message };
  }
});
process.stdout.write(JSON.stringify({ cases, checks }));
