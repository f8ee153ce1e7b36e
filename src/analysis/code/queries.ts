// The tree-sitter queries that find definitions and route annotations, one query per
// language so a file is traversed once. Compile them once per grammar and reuse them.
import { type Language, Query } from 'web-tree-sitter';
import type { CodeLanguage } from './types.js';

// Capture names are the contract with extract.ts: `def.<kind>` marks a definition node
// and `name` its name; `annotation` a Java annotation or TS decorator with `ann` and
// optional `annargs`. Calls are found by call-candidates.ts instead (see there why).
const JS_COMMON = `
(function_declaration name: (identifier) @name) @def.function
(generator_function_declaration name: (identifier) @name) @def.function
(class_declaration name: (_) @name) @def.class
(method_definition name: (_) @name) @def.method
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression) (generator_function)]) @def.function
(variable_declarator name: (identifier) @name value: (class)) @def.class
(pair key: (property_identifier) @name value: [(arrow_function) (function_expression)]) @def.pair
(assignment_expression left: (member_expression object: (_) @owner property: (property_identifier) @name) right: [(arrow_function) (function_expression)]) @def.assigned
(export_statement value: [(arrow_function) (function_expression) (class)] @def.default)
`;

const TS_ONLY = `
(abstract_class_declaration name: (_) @name) @def.class
(public_field_definition name: (_) @name value: [(arrow_function) (function_expression)]) @def.field
(interface_declaration name: (_) @name) @def.interface
(type_alias_declaration name: (_) @name) @def.type
(enum_declaration name: (_) @name) @def.enum
(decorator (call_expression function: (identifier) @ann arguments: (arguments) @annargs)) @annotation
`;

const JS_ONLY = `
(field_definition property: (_) @name value: [(arrow_function) (function_expression)]) @def.field
`;

const PYTHON = `
(function_definition name: (identifier) @name) @def.function
(class_definition name: (identifier) @name) @def.class
`;

const GO = `
(function_declaration name: (identifier) @name) @def.function
(method_declaration receiver: (parameter_list) @receiver name: (field_identifier) @name) @def.method
(type_spec name: (type_identifier) @name type: (_) @body) @def.type
(type_alias name: (type_identifier) @name) @def.type
`;

const JAVA = `
(class_declaration name: (identifier) @name) @def.class
(record_declaration name: (identifier) @name) @def.class
(interface_declaration name: (identifier) @name) @def.interface
(annotation_type_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.enum
(method_declaration name: (identifier) @name body: (block)) @def.method
(constructor_declaration name: (identifier) @name) @def.method
(annotation name: (_) @ann arguments: (annotation_argument_list) @annargs) @annotation
(marker_annotation name: (_) @ann) @annotation
`;

const CSHARP = `
(class_declaration name: (identifier) @name) @def.class
(struct_declaration name: (identifier) @name) @def.class
(record_declaration name: (identifier) @name) @def.class
(interface_declaration name: (identifier) @name) @def.interface
(enum_declaration name: (identifier) @name) @def.enum
(method_declaration name: (identifier) @name) @def.method
(constructor_declaration name: (identifier) @name) @def.method
(local_function_statement name: (identifier) @name) @def.function
`;

const RUST = `
(function_item name: (identifier) @name) @def.function
(struct_item name: (type_identifier) @name) @def.class
(enum_item name: (type_identifier) @name) @def.enum
(trait_item name: (type_identifier) @name) @def.interface
(type_item name: (type_identifier) @name) @def.type
(union_item name: (type_identifier) @name) @def.class
`;

const RUBY = `
(method name: (_) @name) @def.function
(singleton_method name: (_) @name) @def.function
(class name: (_) @name) @def.class
(module name: (_) @name) @def.type
`;

const PHP = `
(function_definition name: (name) @name) @def.function
(method_declaration name: (name) @name) @def.method
(class_declaration name: (name) @name) @def.class
(trait_declaration name: (name) @name) @def.class
(interface_declaration name: (name) @name) @def.interface
(enum_declaration name: (name) @name) @def.enum
`;

const CPP = `
(function_definition declarator: (function_declarator declarator: (_) @name)) @def.function
(function_definition declarator: (_ declarator: (function_declarator declarator: (_) @name))) @def.function
(class_specifier name: (type_identifier) @name body: (field_declaration_list)) @def.class
(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @def.class
(enum_specifier name: (type_identifier) @name body: (enumerator_list)) @def.enum
`;

export const QUERY_SOURCES: Record<CodeLanguage, string> = {
  typescript: JS_COMMON + TS_ONLY,
  tsx: JS_COMMON + TS_ONLY,
  javascript: JS_COMMON + JS_ONLY,
  python: PYTHON,
  go: GO,
  java: JAVA,
  csharp: CSHARP,
  rust: RUST,
  ruby: RUBY,
  php: PHP,
  cpp: CPP,
};

/** The compiled query for one language. Owned by whoever compiled it (see CodeParsers). */
export interface CodeQueries {
  language: CodeLanguage;
  query: Query;
}

export function compileQueries(language: CodeLanguage, grammar: Language): CodeQueries {
  return { language, query: new Query(grammar, QUERY_SOURCES[language]) };
}
