"""The restricted environment that BPMN scripts, conditions and DMN expressions run in.

Scripts are compiled with RestrictedPython: no imports, no file or network access, no
attributes starting with an underscore, no class definitions. A script that tries is stopped
with a ScriptError naming what it tried.

Every evaluation also runs under ``ScriptLimits``:

* time: each loop iteration, comprehension step and function or lambda call of the script
  first calls ``_check_time_()``, which raises a ScriptError once the evaluation's wall-time
  budget is spent; an evaluation that swallowed that error is refused when it returns. The
  deadline belongs to the evaluation (not to a signal or a global tracer), so the limit works
  in any thread and leaves coverage and debuggers alone. Code with no loop, comprehension,
  lambda or function (most gateway conditions) cannot repeat anything and runs without
  looking at the clock.
* size: operations that can build a huge object in one step (``*``, ``**``, ``<<``, ``+``,
  ``%`` formatting, f-string widths, ``range``, ``sum`` of lists, ``pow``, ``str.join``,
  ``str.replace``, padding methods, ``list.extend``, ``int.to_bytes``) are checked before they
  run, so a refused one allocates nothing.

Neither limit can interrupt a single builtin call running in C (``sorted`` of a long list,
``max`` of a list holding one long list many times): it runs to its end, and an evaluation
with loops is refused afterwards if it went over its time.
"""
from .compiling import FILENAME, check_source, compile_expression, compile_script
from .environment import RestrictedEnvironment, RestrictedScriptEngine, script_engine
from .guards import GLOBALS, HELPERS, restricted_globals
from .limits import ScriptLimits, add_days

__all__ = ["FILENAME", "GLOBALS", "HELPERS", "RestrictedEnvironment", "RestrictedScriptEngine",
           "ScriptLimits", "add_days", "check_source", "compile_expression", "compile_script",
           "restricted_globals", "script_engine"]
