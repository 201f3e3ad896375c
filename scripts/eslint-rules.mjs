// Rules of this codebase that no published rule states: values from outside are parsed, not cast, and an error is
// never dropped without saying why.
import { ESLintUtils } from '@typescript-eslint/utils';
import ts from 'typescript';

const rule = ESLintUtils.RuleCreator((name) => `https://github.com/boxagnts/boxagnts/blob/main/README.md#${name}`);

/** `x as T` where `x` is `unknown` or `any`: a value whose shape nothing has checked, asserted into a type. */
const noCastFromUnknown = rule({
  name: 'no-cast-from-unknown',
  meta: {
    type: 'problem',
    docs: { description: 'A value typed unknown or any is parsed with its schema, not cast to a type.' },
    messages: {
      cast: 'This asserts a type onto a value typed {{from}}: parse it with its zod schema (src/contract/) or narrow it with a check instead.',
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = ESLintUtils.getParserServices(context);
    const checker = services.program.getTypeChecker();
    const check = (node) => {
      const target = node.typeAnnotation;
      // `as const`, and casts to unknown itself (the first half of a double cast is reported by the second).
      if (
        target.type === 'TSTypeReference' &&
        target.typeName.type === 'Identifier' &&
        target.typeName.name === 'const'
      )
        return;
      if (target.type === 'TSUnknownKeyword' || target.type === 'TSAnyKeyword') return;
      const inner =
        node.expression.type === 'TSAsExpression' && node.expression.typeAnnotation.type === 'TSUnknownKeyword'
          ? node.expression.expression
          : node.expression;
      const type = checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(inner));
      const doubled = inner !== node.expression;
      if (doubled || type.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) {
        context.report({
          node,
          messageId: 'cast',
          data: { from: doubled ? 'another type through unknown' : checker.typeToString(type) },
        });
      }
    };
    return { TSAsExpression: check, TSTypeAssertion: check };
  },
});

const isSilent = (body) =>
  (body.type === 'Identifier' && body.name === 'undefined') ||
  (body.type === 'Literal' && body.value === null) ||
  (body.type === 'UnaryExpression' && body.operator === 'void') ||
  (body.type === 'BlockStatement' && body.body.length === 0);

/** `.catch(() => undefined)` and `catch {}`: an error dropped. Allowed with a comment that says why it is safe. */
const noSilentCatch = rule({
  name: 'no-silent-catch',
  meta: {
    type: 'problem',
    docs: { description: 'An error that is dropped says why in a comment.' },
    messages: { silent: 'This drops an error: handle it, or say in a comment right here why dropping it is safe.' },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const source = context.sourceCode;
    /** A comment inside the handler, or on the lines of the statement just before it. */
    const explained = (node, statement) =>
      source.getCommentsInside(node).length > 0 ||
      source.getCommentsBefore(statement).length > 0 ||
      source.getCommentsBefore(node).length > 0;
    const statementOf = (node) => {
      let current = node;
      while (current.parent && !/Statement|Declaration$/.test(current.parent.type)) current = current.parent;
      return current.parent ?? current;
    };
    return {
      CallExpression(node) {
        const callee = node.callee;
        const name =
          callee.type === 'MemberExpression' && callee.property.type === 'Identifier'
            ? callee.property.name
            : undefined;
        const handler = name === 'catch' ? node.arguments[0] : name === 'then' ? node.arguments[1] : undefined;
        if (!handler || (handler.type !== 'ArrowFunctionExpression' && handler.type !== 'FunctionExpression')) return;
        if (handler.params.length > 0 && handler.body.type !== 'BlockStatement') return;
        if (!isSilent(handler.body) || explained(handler, statementOf(node))) return;
        context.report({ node: handler, messageId: 'silent' });
      },
      CatchClause(node) {
        if (node.body.body.length === 0 && !explained(node.body, node)) context.report({ node, messageId: 'silent' });
      },
    };
  },
});

export default { rules: { 'no-cast-from-unknown': noCastFromUnknown, 'no-silent-catch': noSilentCatch } };
