"""`jixiao chat`: a guided session that drafts a complete target table with the officer.

Split by role (like litecli / pgcli):
    commands.py  what the officer typed → an Action (command words in data/commands.json)
    intake.py    the project questions (name, description, budget, year, department)
    session.py   the state machine over a Draft: intake → one step per category → whole table
    backend.py   the engine behind a session (ranking, values, lint, feedback)
    feedback.py  what the officer kept, changed, rejected and added, as catalogue feedback rows
    view.py      text the officer sees (steps, reasons, the whole table, help)
    store.py     session files (atomic saves, resume) and where they live
    pipe.py      line-by-line mode when standard input is not a terminal
    repl.py      the prompt_toolkit loop (history, completion, toolbar, Ctrl-C / Ctrl-D)
    completer.py / toolbar.py   prompt_toolkit pieces used only by repl.py

Nothing here imports prompt_toolkit except repl.py and completer.py, which only the terminal
mode loads.
"""
