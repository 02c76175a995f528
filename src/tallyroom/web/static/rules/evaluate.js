// The control rules' expression language, evaluated in the station app exactly as the server
// does (src/tallyroom/domain/rule_expression.py and rule_set.py): same grammar, same limits,
// whole numbers only (BigInt, so no rounding anywhere). Never uses eval.
//
//   check      := arithmetic comparison arithmetic
//   arithmetic := term (("+" | "-") term)*
//   term       := unary ("*" unary)*
//   unary      := "-" unary | primary
//   primary    := INTEGER | NAME | ("sum" | "count") "(" "votes" ")" | "(" arithmetic ")"

export const MAXIMUM_EXPRESSION_LENGTH = 400;
export const MAXIMUM_DEPTH = 16;
export const MAXIMUM_LITERAL = 1000000000n;
const COMPARISONS = ["==", "!=", "<=", ">=", "<", ">"];
const VOTE_FUNCTIONS = ["sum", "count"];
const VOTES = "votes";
const STATION_PREFIX = "station.";
export const PROTOCOL_FIELDS = [
  "registered_voters",
  "voters_added",
  "ballots_received",
  "ballots_issued_in_station",
  "ballots_issued_portable",
  "ballots_cast",
  "invalid_ballots",
  "unused_ballots",
  "blank_votes",
];
export const STATION_FACTS = ["registered_voters", "standing_candidates", "check_ins"];
const NAMES = new Set([...PROTOCOL_FIELDS, ...STATION_FACTS.map((fact) => STATION_PREFIX + fact)]);
const TOKEN =
  /(?:(?<integer>[0-9]+)|(?<name>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)|(?<operator>==|!=|<=|>=|<|>|\+|-|\*|\(|\)))/y;
const PLACEHOLDER = /\{([^{}]*)\}/g;

export class RuleExpressionError extends Error {
  constructor(message, column) {
    super(`column ${column}: ${message}`);
    this.column = column;
  }
}

function pythonRepr(text) {
  // Errors name the offending text as Python's repr() does, so both sides say the same.
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let shownText = "";
  for (const character of text) {
    const code = character.codePointAt(0);
    if (character === "\\") shownText += "\\\\";
    else if (character === quote) shownText += "\\" + quote;
    else if (character === "\n") shownText += "\\n";
    else if (character === "\r") shownText += "\\r";
    else if (character === "\t") shownText += "\\t";
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      shownText += "\\x" + code.toString(16).padStart(2, "0");
    } else shownText += character;
  }
  return quote + shownText + quote;
}

function tokens(text) {
  if (text.length > MAXIMUM_EXPRESSION_LENGTH) {
    throw new RuleExpressionError(
      `longer than ${MAXIMUM_EXPRESSION_LENGTH} characters`,
      MAXIMUM_EXPRESSION_LENGTH,
    );
  }
  const found = [];
  let position = 0;
  for (;;) {
    while (position < text.length && (text[position] === " " || text[position] === "\t")) {
      position += 1;
    }
    if (position === text.length) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(text);
    if (match === null) {
      throw new RuleExpressionError(`unexpected ${pythonRepr(text[position])}`, position + 1);
    }
    const kind = Object.keys(match.groups).find((name) => match.groups[name] !== undefined);
    found.push({ kind, value: match.groups[kind], column: position + 1 });
    position = TOKEN.lastIndex;
  }
  found.push({ kind: "end", value: "", column: text.length + 1 });
  return found;
}

function shown(token) {
  return token.kind === "end" ? "the end" : pythonRepr(token.value);
}

class Parser {
  constructor(text) {
    this.tokens = tokens(text);
    this.position = 0;
  }

  peek() {
    return this.tokens[this.position];
  }

  take() {
    const token = this.tokens[this.position];
    this.position += 1;
    return token;
  }

  isOperator(value) {
    const token = this.peek();
    return token.kind === "operator" && token.value === value;
  }

  expect(value) {
    const token = this.take();
    if (token.kind !== "operator" || token.value !== value) {
      throw new RuleExpressionError(`expected ${pythonRepr(value)}, found ${shown(token)}`, token.column);
    }
  }

  check() {
    const left = this.arithmetic(0);
    const token = this.take();
    if (token.kind !== "operator" || !COMPARISONS.includes(token.value)) {
      throw new RuleExpressionError(
        `expected a comparison (${COMPARISONS.join(" ")}), found ${shown(token)}`,
        token.column,
      );
    }
    const right = this.arithmetic(0);
    this.end();
    return { operator: token.value, left, right };
  }

  end() {
    const token = this.peek();
    if (token.kind !== "end") {
      throw new RuleExpressionError(`unexpected ${shown(token)}`, token.column);
    }
  }

  arithmetic(depth) {
    let expression = this.term(depth);
    while (this.isOperator("+") || this.isOperator("-")) {
      const operator = this.take().value;
      expression = { operator, left: expression, right: this.term(depth) };
    }
    return expression;
  }

  term(depth) {
    let expression = this.unary(depth);
    while (this.isOperator("*")) {
      this.take();
      expression = { operator: "*", left: expression, right: this.unary(depth) };
    }
    return expression;
  }

  unary(depth) {
    const token = this.peek();
    if (depth >= MAXIMUM_DEPTH) {
      throw new RuleExpressionError(`nested more than ${MAXIMUM_DEPTH} deep`, token.column);
    }
    if (token.kind === "operator" && token.value === "-") {
      this.take();
      return { negation: this.unary(depth + 1) };
    }
    return this.primary(depth);
  }

  primary(depth) {
    const token = this.take();
    if (token.kind === "integer") {
      const number = BigInt(token.value);
      if (number > MAXIMUM_LITERAL) {
        throw new RuleExpressionError(`${token.value} is larger than ${MAXIMUM_LITERAL}`, token.column);
      }
      return { number };
    }
    if (token.kind === "name" && VOTE_FUNCTIONS.includes(token.value)) {
      this.expect("(");
      const argument = this.take();
      if (argument.kind !== "name" || argument.value !== VOTES) {
        throw new RuleExpressionError(
          `${token.value}() takes only ${VOTES}, not ${shown(argument)}`,
          argument.column,
        );
      }
      this.expect(")");
      return { function: token.value };
    }
    if (token.kind === "name") {
      if (token.value === VOTES) {
        throw new RuleExpressionError("votes is used as sum(votes) or count(votes)", token.column);
      }
      if (!NAMES.has(token.value)) {
        throw new RuleExpressionError(`unknown name ${pythonRepr(token.value)}`, token.column);
      }
      return { name: token.value };
    }
    if (token.kind === "operator" && token.value === "(") {
      const expression = this.arithmetic(depth + 1);
      this.expect(")");
      return expression;
    }
    throw new RuleExpressionError(
      `expected a number, a name or '(', found ${shown(token)}`,
      token.column,
    );
  }
}

/** The comparison a check states: {operator, left, right}; throws RuleExpressionError. */
export function parseCheck(text) {
  if (typeof text !== "string") throw new RuleExpressionError("must be text", 1);
  return new Parser(text).check();
}

/** An arithmetic expression (a message's placeholder). */
export function parseArithmetic(text) {
  const parser = new Parser(text);
  const expression = parser.arithmetic(0);
  parser.end();
  return expression;
}

/** The names an expression mentions, in order of first appearance (`votes` for sum/count). */
export function namesIn(node, found = []) {
  if (node.name !== undefined) {
    if (!found.includes(node.name)) found.push(node.name);
  } else if (node.function !== undefined) {
    if (!found.includes(VOTES)) found.push(VOTES);
  } else if (node.negation !== undefined) {
    namesIn(node.negation, found);
  } else if (node.left !== undefined) {
    namesIn(node.left, found);
    namesIn(node.right, found);
  }
  return found;
}

function evaluate(node, values, votes) {
  if (node.number !== undefined) return node.number;
  if (node.name !== undefined) return values.get(node.name);
  if (node.function !== undefined) {
    const figures = Object.values(votes);
    return node.function === "sum"
      ? figures.reduce((total, figure) => total + BigInt(figure), 0n)
      : BigInt(figures.length);
  }
  if (node.negation !== undefined) return -evaluate(node.negation, values, votes);
  const left = evaluate(node.left, values, votes);
  const right = evaluate(node.right, values, votes);
  if (node.operator === "+") return left + right;
  if (node.operator === "-") return left - right;
  return left * right;
}

function known(value) {
  return typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value));
}

function votesKnown(votes) {
  return (
    votes !== null && typeof votes === "object" && !Array.isArray(votes) && Object.values(votes).every(known)
  );
}

function absolute(value) {
  return value < 0n ? -value : value;
}

function allowed(tolerance, left, right) {
  const value = BigInt(tolerance.value);
  if (tolerance.kind === "absolute") return value;
  const larger = absolute(left) > absolute(right) ? absolute(left) : absolute(right);
  return (larger * value) / 10000n; // both non-negative: BigInt division rounds down
}

function holds(operator, left, right, tolerance) {
  const difference = left - right;
  switch (operator) {
    case "==":
      return absolute(difference) <= tolerance;
    case "!=":
      return absolute(difference) > tolerance;
    case "<=":
      return difference <= tolerance;
    case "<":
      return difference < tolerance;
    case ">=":
      return difference >= -tolerance;
    default:
      return difference > -tolerance;
  }
}

const compiled = new WeakMap();

function compile(rule) {
  let result = compiled.get(rule);
  if (result === undefined) {
    const comparison = parseCheck(rule.check);
    const templates = {};
    for (const [language, text] of Object.entries(rule.message)) {
      const parts = [];
      let position = 0;
      for (const match of text.matchAll(PLACEHOLDER)) {
        parts.push(text.slice(position, match.index));
        parts.push(parseArithmetic(match[1]));
        position = match.index + match[0].length;
      }
      parts.push(text.slice(position));
      templates[language] = parts;
    }
    result = { comparison, names: namesIn(comparison), templates };
    compiled.set(rule, result);
  }
  return result;
}

/**
 * Every rule of `ruleSet` (as served by GET /api/v1/rules) that the protocol breaks, in order:
 * [{rule, action, fields, message}], where `fields` are the protocol's fields the rule names
 * (to point at them) and `message` maps each language to the rendered text.
 * `protocolFields` is the document's `figures` ({registered_voters: 1000, ..., votes: {C1: 5}});
 * `stationFacts` has the station's facts without the `station.` prefix
 * ({registered_voters: 1000, standing_candidates: 5}). A rule naming a value that is absent
 * (undefined, null, not a whole number; votes with any blank figure) is not applied.
 */
export function evaluateRules(ruleSet, protocolFields, stationFacts) {
  const values = new Map();
  for (const name of PROTOCOL_FIELDS) {
    const value = protocolFields?.[name];
    if (known(value)) values.set(name, BigInt(value));
  }
  for (const fact of STATION_FACTS) {
    const value = stationFacts?.[fact];
    if (known(value)) values.set(STATION_PREFIX + fact, BigInt(value));
  }
  const votes = protocolFields?.[VOTES];
  const haveVotes = votesKnown(votes);
  const failures = [];
  for (const rule of ruleSet.rules) {
    const { comparison, names, templates } = compile(rule);
    if (!names.every((name) => (name === VOTES ? haveVotes : values.has(name)))) continue;
    const left = evaluate(comparison.left, values, votes);
    const right = evaluate(comparison.right, values, votes);
    if (holds(comparison.operator, left, right, allowed(rule.tolerance, left, right))) continue;
    const message = {};
    for (const [language, parts] of Object.entries(templates)) {
      message[language] = parts
        .map((part) => (typeof part === "string" ? part : String(evaluate(part, values, votes))))
        .join("");
    }
    failures.push({
      rule: rule.id,
      action: rule.action,
      fields: names.filter((name) => !name.startsWith(STATION_PREFIX)),
      message,
    });
  }
  return failures;
}
