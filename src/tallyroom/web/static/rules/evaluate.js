// TEMPORARY stand-in for the shared rule evaluator (issue 11, item 0, built on the `rules`
// branch): same interface, today's arithmetic checks hard-coded, the rule set ignored.
// evaluateRules(ruleSet, protocolFields, stationFacts) -> [{rule, action, fields}]
export function evaluateRules(ruleSet, protocolFields, stationFacts) {
  const f = protocolFields;
  const votes = f.votes || {};
  const valid = Object.values(votes).reduce((sum, count) => sum + count, 0);
  const issued = f.ballots_issued_in_station + f.ballots_issued_portable;
  const failed = [];
  const fail = (rule, fields) => failed.push({ rule, action: "flag", fields });
  if (valid + f.invalid_ballots !== f.ballots_cast) {
    fail("votes_and_invalid_differ_from_cast", ["votes", "invalid_ballots", "ballots_cast"]);
  }
  if (f.ballots_cast > issued) {
    fail("cast_exceeds_issued", ["ballots_cast", "ballots_issued_in_station", "ballots_issued_portable"]);
  }
  if (issued + f.unused_ballots !== f.ballots_received) {
    fail("issued_and_unused_differ_from_received",
      ["ballots_issued_in_station", "ballots_issued_portable", "unused_ballots", "ballots_received"]);
  }
  if (issued > f.registered_voters + f.voters_added) {
    fail("issued_exceeds_voters",
      ["ballots_issued_in_station", "ballots_issued_portable", "registered_voters", "voters_added"]);
  }
  if (stationFacts && stationFacts.registered_voters !== undefined
      && f.registered_voters !== stationFacts.registered_voters) {
    fail("registered_differs_from_register", ["registered_voters"]);
  }
  for (const candidate of (stationFacts && stationFacts.standing_candidates) || []) {
    if (!(candidate in votes)) fail("candidate_missing", ["votes." + candidate]);
  }
  return failed;
}
