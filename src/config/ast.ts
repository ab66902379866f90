// The syntax tree of a Logstash pipeline configuration. The parser produces it; the compiler turns it
// into the pipeline model (validated plugins and compiled conditions).

export interface Loc {
  file: string;
  line: number; // 1-based
  column: number; // 1-based
}

export type Section = 'input' | 'filter' | 'output';

/** A hash literal `{ "a" => 1 "b" => 2 }`, entries in source order. */
export interface HashValue {
  kind: 'hash';
  entries: Array<[string, Value]>;
}

/** A setting value: string (quoted or bare word), number, boolean, array, hash, or a plugin (codec => json { … }). */
export type Value = string | number | boolean | Value[] | HashValue | PluginNode;

export interface Setting {
  key: string;
  value: Value;
  loc: Loc;
}

export interface PluginNode {
  kind: 'plugin';
  /** input / filter / output, or 'codec' for a plugin given as a setting value. */
  section: Section | 'codec';
  name: string;
  settings: Setting[];
  loc: Loc;
}

/** Operands of conditions. */
export type Rvalue =
  | { type: 'field'; ref: string; loc: Loc } // [a][b]
  | { type: 'string'; value: string; loc: Loc }
  | { type: 'number'; value: number; loc: Loc }
  | { type: 'regex'; source: string; loc: Loc } // /…/
  | { type: 'list'; items: Rvalue[]; loc: Loc }; // ["a", "b"]

export type Expr =
  | { type: 'bool'; op: 'and' | 'or' | 'xor' | 'nand'; left: Expr; right: Expr }
  | { type: 'not'; expr: Expr }
  | { type: 'compare'; op: '==' | '!=' | '<' | '>' | '<=' | '>='; left: Rvalue; right: Rvalue }
  | { type: 'match'; op: '=~' | '!~'; left: Rvalue; right: Rvalue }
  | { type: 'in'; negate: boolean; left: Rvalue; right: Rvalue }
  /** A bare rvalue: true when the field exists and is not false/null (strings/numbers are truthy). */
  | { type: 'truthy'; value: Rvalue };

export interface IfBranch {
  /** null for `else`. */
  condition: Expr | null;
  body: Node[];
  loc: Loc;
}

export interface IfNode {
  kind: 'if';
  branches: IfBranch[];
  loc: Loc;
}

export type Node = PluginNode | IfNode;

export interface PipelineAST {
  input: Node[];
  filter: Node[];
  output: Node[];
}
