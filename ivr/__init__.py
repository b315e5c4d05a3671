"""The IVR: menu model, YAML loader + validator and the pure IVR core (no I/O).

menu_vocab (categories, fixed keys, the core's own prompts) - menu_nodes (node kinds) -
menu_model (Menu; re-exports both) - menu_load (load_menu: YAML -> Menu, every error with
file:line) - menu_validate (graph rules) - events (events, commands, the adapter protocol) - rules
(transition table) - call_state + core (IvrCall.handle(event, now)) - simulate (a scripted caller)
- errors (IvrError, the root of the package's errors).
"""
