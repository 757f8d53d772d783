/**
 * The shell side of `cdc completion`: each script hands the words typed so far to the hidden
 * `cdc __complete`, which answers with one candidate per line, or the single line `:files` when
 * the word is a file name (then the shell's own file completion runs).
 */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const BASH = `# cdc completion for bash. Load it with:  source <(cdc completion bash)
_cdc_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" out
  local IFS=$'\\n'
  out=$(command cdc __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  if [[ "$out" == ":files" ]]; then
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$out" -- "$cur"))
  fi
}
complete -o default -F _cdc_complete cdc
`;

const ZSH = `#compdef cdc
# cdc completion for zsh. Load it with:  source <(cdc completion zsh)
_cdc() {
  local out
  out=$(command cdc __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null) || return
  if [[ "$out" == ":files" ]]; then
    _files
  elif [[ -n "$out" ]]; then
    local -a candidates
    candidates=("\${(@f)out}")
    compadd -- "\${candidates[@]}"
  fi
}
if (( $+functions[compdef] )); then compdef _cdc cdc; fi
`;

const FISH = `# cdc completion for fish. Load it with:  cdc completion fish | source
function __cdc_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l out (command cdc __complete -- $words[2..-1] 2>/dev/null)
    if test "$out" = ":files"
        __fish_complete_path (commandline -ct)
    else
        printf '%s\\n' $out
    end
end
complete -c cdc -f -a '(__cdc_complete)'
`;

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? BASH : shell === 'zsh' ? ZSH : FISH;
}
