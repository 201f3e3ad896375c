import { describe, expect, it } from 'vitest';
import { type ShellCommand, shellCommands } from '../../src/permissions/shell-command';

/** Known commands as their text, unknown ones as `?text`. */
async function read(line: string): Promise<string[]> {
  return (await shellCommands(line)).map((c: ShellCommand) => (c.known ? c.text : `?${c.text}`));
}

describe('shellCommands: every simple command of the line', () => {
  it.each([
    ['  rm x', ['rm x']],
    ['true && rm x || echo no', ['true', 'rm x', 'echo no']],
    ['ls | grep a | wc -l', ['ls', 'grep a', 'wc -l']],
    ['(rm x)', ['rm x']],
    ['{ rm x; }', ['rm x']],
    ['f() { rm x; }; f', ['rm x', 'f']],
    ['echo $(rm x)', ['rm x', 'echo $(rm x)']],
    ['echo `rm x`', ['rm x', 'echo `rm x`']],
    ['cat <(rm x)', ['rm x', 'cat <(rm x)']],
    ['ls > "$(rm x)"', ['rm x', 'ls']],
    ['cat <<EOF\n$(rm x)\nEOF', ['rm x', 'cat']],
    ["cat <<'EOF'\n$(rm x)\nEOF", ['cat']],
    ['echo $(( $(rm x) + 1 ))', ['rm x', 'echo $(($(rm x) + 1))']],
    ['for f in a b; do rm "$f"; done', ['rm $f']],
    ['while read l; do rm "$l"; done < list', ['read l', 'rm $l']],
    ['if [[ -f a ]]; then rm a; else rm b; fi', ['rm a', 'rm b']],
    ['case $1 in a) rm a;; esac', ['rm a']],
    ['x=$(rm x)', ['rm x']],
    ['x=1', []],
    ['"r""m" x', ['rm x']],
    ["r'm' -rf 'a b'", ['rm -rf a b']],
    ['FOO=1 rm x >/dev/null 2>&1', ['rm x']],
    ['rm x; rm x', ['rm x']],
  ])('%j → %j', async (line, expected) => {
    expect(await read(line)).toEqual(expected);
  });
});

describe('shellCommands: what a command runs in turn', () => {
  it.each([
    ['env FOO=1 rm x', ['env FOO=1 rm x', 'rm x']],
    ['env -i -u HOME rm x', ['env -i -u HOME rm x', 'rm x']],
    ['timeout -s KILL 5 rm x', ['timeout -s KILL 5 rm x', 'rm x']],
    ['nice -n 5 nohup rm x', ['nice -n 5 nohup rm x', 'nohup rm x', 'rm x']],
    ['command rm x', ['command rm x', 'rm x']],
    ['command -v rm', ['command -v rm']],
    ['exec rm x', ['exec rm x', 'rm x']],
    ['sudo -u root rm x', ['sudo -u root rm x', 'rm x']],
    ['ls | xargs rm', ['ls', 'xargs rm', 'rm …']],
    ['ls | xargs -0 -n1 rm -f', ['ls', 'xargs -0 -n1 rm -f', 'rm -f …']],
    ['ls | xargs -I{} rm {}', ['ls', 'xargs -I{} rm {}', 'rm {}']],
    ['ls | xargs', ['ls', 'xargs', 'echo …']],
    ['find . -name "*.log" -delete', ['find . -name *.log -delete', 'rm .']],
    ['find a b -delete', ['find a b -delete', 'rm a b']],
    ['find . -exec rm {} \\;', ['find . -exec rm {} ;', 'rm {}']],
    ['find . -type f -exec rm -f {} + -print', ['find . -type f -exec rm -f {} + -print', 'rm -f {}']],
    ['bash -c "rm x"', ['bash -c rm x', 'rm x']],
    ["sh -ec 'cd a && rm x'", ['sh -ec cd a && rm x', 'cd a', 'rm x']],
    ['eval rm x', ['eval rm x', 'rm x']],
    ['eval "rm x; ls"', ['eval rm x; ls', 'rm x', 'ls']],
    ["alias l='rm -rf'", ['alias l=rm -rf', 'rm -rf …']],
    ['alias l=rm; l x', ['alias l=rm', 'rm …', 'l x']],
    ['/bin/rm x', ['/bin/rm x']],
    ['bash script.sh', ['bash script.sh']],
  ])('%j → %j', async (line, expected) => {
    expect(await read(line)).toEqual(expected);
  });

  it('names a program written as a path by its last segment too', async () => {
    expect(await shellCommands('/bin/rm -rf x')).toEqual([
      { known: true, text: '/bin/rm -rf x', program: 'rm', short: 'rm -rf x' },
    ]);
  });
});

describe('shellCommands: programs only known when the line runs', () => {
  it.each([
    ['$x y', ['?$x y']],
    ['x=rm; $x y', ['rm y']],
    ['x=rm; "$x" y', ['rm y']],
    ['x=rm && ${x} y', ['rm y']],
    ['x=rm; if true; then $x y; fi', ['true', 'rm y']],
    // Not certainly assigned where it is used: a branch, a subshell, a pipe, a background job, a function body.
    ['false && x=ls; $x rm -rf /', ['false', '?$x rm -rf /']],
    ['(x=ls); $x rm', ['?$x rm']],
    ['x=ls | $x rm', ['?$x rm']],
    ['x=ls & $x rm', ['?$x rm']],
    ['if false; then x=ls; elif $x rm; then :; fi', ['false', '?$x rm', ':']],
    ['x=ls; f() { $x rm; }; f', ['?$x rm', 'f']],
    // Written in ways not followed: the value may differ.
    ['x=ls; x=rm; $x y', ['?$x y']],
    ['x=ls; read x; $x y', ['read x', '?$x y']],
    ['export x=rm; $x y', ['export x=rm', '?$x y']],
    ['declare -n r=x; x=ls; r=rm; $x a', ['declare -n r=x', '?$x a']],
    ['x=ls; eval "x=rm"; $x y', ['eval x=rm', '?$x y']],
    ['x=ls; for x in rm; do :; done; $x y', [':', '?$x y']],
    ['x="rm -rf"; $x /', ['?$x /']],
    ['IFS=/; x=ls; $x', ['?$x']],
    ['$(echo rm) x', ['echo rm', '?$(echo rm) x']],
    ['r* x', ['?r* x']],
    ['{r,s}m x', ['?{r,s}m x']],
    ['~/bin/rm x', ['?~/bin/rm x']],
    ['eval "$cmd"', ['eval $cmd', '?eval $cmd']],
    ['bash -c "$cmd"', ['bash -c $cmd', '?bash -c $cmd']],
    ['echo "rm x" | bash', ['echo rm x', 'bash', '?bash']],
    ['bash -s < script', ['bash -s', '?bash -s']],
    ['find $dir -name a', ['find $dir -name a', '?find $dir -name a']],
    ['ls | xargs find', ['ls', 'xargs find', 'find …', '?find …']],
    ['env --frobnicate rm x', ['env --frobnicate rm x', '?env --frobnicate rm x']],
    ['echo $(( ${x:-$(rm y)} ))', ['?x:-$(rm y)', 'echo $((${x:-$(rm y)}))']],
  ])('%j → %j', async (line, expected) => {
    expect(await read(line)).toEqual(expected);
  });

  it('treats a line that does not parse as one unknown command', async () => {
    expect(await read('echo "unterminated')).toEqual(['?echo "unterminated']);
    expect(await read('rm x; if then fi')).toEqual(['?rm x; if then fi']);
    expect(await read('bash -c "echo \\"unterminated"')).toEqual(['bash -c echo "unterminated', '?echo "unterminated']);
  });
});
