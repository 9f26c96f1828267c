// The static half of the device-bundle check: parse a bundle with rollup's parser and report
// free references to Node or browser globals and imports of anything but Moddable modules.
// Scopes are tracked (var/function hoisting, let/const/class blocks, parameters, catch), so a
// local variable named like a global is not a finding. `typeof X` alone is allowed: it is how
// portable code asks whether something exists.
import { parseAst } from 'rollup/parseAst';
import { isModdableModule } from './build';

export const FORBIDDEN_GLOBALS: readonly string[] = [
  'Buffer', 'process', 'require', 'module', 'exports', '__dirname', '__filename', 'global',
  'console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'setImmediate', 'clearImmediate',
  'queueMicrotask', 'structuredClone', 'window', 'document', 'navigator', 'self', 'fetch', 'XMLHttpRequest',
  'URL', 'URLSearchParams', 'atob', 'btoa', 'crypto', 'Intl', 'WebAssembly', 'AbortController',
];

export interface Finding {
  kind: 'global' | 'import';
  name: string;
  line: number;
  column: number;
  /** The source line, trimmed. */
  text: string;
}

export interface CheckOptions {
  /** Allow relative imports (a bundle built on a runtime bundle imports it as './blynk-xs-*.mjs'). */
  allowRelative?: boolean;
  globals?: readonly string[];
}

type Node = { type: string; start: number; end: number; [key: string]: unknown };

class Scope {
  readonly names = new Set<string>();
  constructor(readonly parent: Scope | undefined) {}
  has(name: string): boolean {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.names.has(name)) return true;
    return false;
  }
}

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** Names bound by a pattern (a parameter, a declarator's id). */
function patternNames(p: unknown, out: Set<string>): void {
  if (!isNode(p)) return;
  switch (p.type) {
    case 'Identifier':
      out.add(p.name as string);
      return;
    case 'ObjectPattern':
      for (const prop of p.properties as Node[]) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      return;
    case 'ArrayPattern':
      for (const el of p.elements as unknown[]) patternNames(el, out);
      return;
    case 'RestElement':
      patternNames(p.argument, out);
      return;
    case 'AssignmentPattern':
      patternNames(p.left, out);
      return;
  }
}

/** `var` declarations and function declarations in a function body (not inside nested functions). */
function hoisted(node: unknown, out: Set<string>, top: boolean): void {
  if (!isNode(node)) {
    if (Array.isArray(node)) for (const n of node) hoisted(n, out, top);
    return;
  }
  if (FUNCTIONS.has(node.type) && !top) {
    if (node.type === 'FunctionDeclaration' && isNode(node.id)) out.add(node.id.name as string);
    return;
  }
  if (node.type === 'VariableDeclaration' && node.kind === 'var') {
    for (const d of node.declarations as Node[]) patternNames(d.id, out);
  }
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'start' || key === 'end') continue;
    const v = node[key];
    if (typeof v === 'object' && v !== null) hoisted(v, out, false);
  }
}

/** let/const/class/function declared directly in a block's statements. */
function lexical(statements: unknown, out: Set<string>): void {
  if (!Array.isArray(statements)) return;
  for (const raw of statements) {
    let s = raw as Node;
    if ((s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration') && isNode(s.declaration)) s = s.declaration;
    if (s.type === 'VariableDeclaration' && s.kind !== 'var') for (const d of s.declarations as Node[]) patternNames(d.id, out);
    if ((s.type === 'ClassDeclaration' || s.type === 'FunctionDeclaration') && isNode(s.id)) out.add(s.id.name as string);
    if (s.type === 'ImportDeclaration') for (const spec of s.specifiers as Node[]) out.add((spec.local as Node).name as string);
  }
}

export function checkBundle(code: string, options: CheckOptions = {}): Finding[] {
  const forbidden = new Set(options.globals ?? FORBIDDEN_GLOBALS);
  const findings: Finding[] = [];
  const lines = code.split('\n');
  const where = (pos: number): { line: number; column: number; text: string } => {
    let line = 0;
    let at = 0;
    while (line < lines.length && at + lines[line]!.length + 1 <= pos) at += lines[line++]!.length + 1;
    return { line: line + 1, column: pos - at + 1, text: (lines[line] ?? '').trim().slice(0, 160) };
  };
  const importSource = (node: Node, source: unknown): void => {
    if (!isNode(source) || typeof source.value !== 'string') return;
    const id = source.value;
    if (isModdableModule(id)) return;
    if (options.allowRelative && (id.startsWith('./') || id.startsWith('../'))) return;
    findings.push({ kind: 'import', name: id, ...where(node.start) });
  };

  const visit = (node: unknown, scope: Scope, parent?: Node, key?: string): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n, scope, parent, key);
      return;
    }
    if (!isNode(node)) return;
    switch (node.type) {
      case 'Identifier': {
        const name = node.name as string;
        if (forbidden.has(name) && isReference(parent, key) && !scope.has(name)) {
          const guarded = parent?.type === 'UnaryExpression' && parent.operator === 'typeof';
          if (!guarded) findings.push({ kind: 'global', name, ...where(node.start) });
        }
        return;
      }
      case 'Program': {
        const s = new Scope(scope);
        hoisted(node.body, s.names, true);
        lexical(node.body, s.names);
        visit(node.body, s, node, 'body');
        return;
      }
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
        importSource(node, node.source);
        return;
      case 'ExportNamedDeclaration':
        if (node.source) {
          importSource(node, node.source);
          return;
        }
        break;
      case 'ImportExpression':
        importSource(node, node.source);
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const s = new Scope(scope);
        if (node.type === 'FunctionExpression' && isNode(node.id)) s.names.add(node.id.name as string);
        if (node.type !== 'ArrowFunctionExpression') s.names.add('arguments');
        for (const p of node.params as Node[]) patternNames(p, s.names);
        hoisted(node.body, s.names, true);
        if (isNode(node.body) && node.body.type === 'BlockStatement') lexical(node.body.body, s.names);
        for (const p of node.params as Node[]) visitPattern(p, s);
        visit(node.body, s, node, 'body');
        return;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const s = new Scope(scope);
        if (isNode(node.id)) s.names.add(node.id.name as string);
        visit(node.superClass, scope, node, 'superClass');
        visit(node.body, s, node, 'body');
        return;
      }
      case 'BlockStatement':
      case 'StaticBlock': {
        const s = new Scope(scope);
        lexical(node.body, s.names);
        visit(node.body, s, node, 'body');
        return;
      }
      case 'SwitchStatement': {
        visit(node.discriminant, scope, node, 'discriminant');
        const s = new Scope(scope);
        for (const c of node.cases as Node[]) lexical(c.consequent, s.names);
        visit(node.cases, s, node, 'cases');
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const s = new Scope(scope);
        const init = (node.init ?? node.left) as Node | null;
        if (init && init.type === 'VariableDeclaration' && init.kind !== 'var') {
          for (const d of init.declarations as Node[]) patternNames(d.id, s.names);
        }
        for (const k of Object.keys(node)) if (k !== 'type' && k !== 'start' && k !== 'end') visit(node[k], s, node, k);
        return;
      }
      case 'CatchClause': {
        const s = new Scope(scope);
        patternNames(node.param, s.names);
        visitPattern(node.param, s);
        visit(node.body, s, node, 'body');
        return;
      }
      case 'VariableDeclarator':
        visitPattern(node.id, scope);
        visit(node.init, scope, node, 'init');
        return;
      case 'MetaProperty':
      case 'LabeledStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
        if (node.type === 'LabeledStatement') visit(node.body, scope, node, 'body');
        return;
    }
    for (const k of Object.keys(node)) {
      if (k === 'type' || k === 'start' || k === 'end') continue;
      const v = node[k];
      if (typeof v === 'object' && v !== null) visit(v, scope, node, k);
    }
  };

  // A binding pattern: its names are declarations, but defaults and computed keys are expressions.
  const visitPattern = (p: unknown, scope: Scope): void => {
    if (!isNode(p)) return;
    switch (p.type) {
      case 'Identifier':
        return;
      case 'ObjectPattern':
        for (const prop of p.properties as Node[]) {
          if (prop.type === 'RestElement') visitPattern(prop.argument, scope);
          else {
            if (prop.computed) visit(prop.key, scope, prop, 'key');
            visitPattern(prop.value, scope);
          }
        }
        return;
      case 'ArrayPattern':
        for (const el of p.elements as unknown[]) visitPattern(el, scope);
        return;
      case 'RestElement':
        visitPattern(p.argument, scope);
        return;
      case 'AssignmentPattern':
        visitPattern(p.left, scope);
        visit(p.right, scope, p, 'right');
        return;
      default:
        visit(p, scope);
    }
  };

  visit(parseAst(code), new Scope(undefined));
  return findings;
}

/** Is an Identifier at parent[key] a variable reference (not a property name, label or export name)? */
function isReference(parent: Node | undefined, key: string | undefined): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return key !== 'property' || parent.computed === true;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return key !== 'key' || parent.computed === true;
    case 'ExportSpecifier':
      return key === 'local';
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
      return false;
    default:
      return true;
  }
}

/** One line per finding, for test failures and the CLI. */
export function formatFindings(file: string, findings: readonly Finding[]): string {
  return findings
    .map((f) => `${file}:${f.line}:${f.column} ${f.kind === 'global' ? `free reference to ${f.name}` : `import of "${f.name}"`}: ${f.text}`)
    .join('\n');
}
