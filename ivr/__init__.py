"""The IVR: menu model, YAML loader + validator and the pure IVR core (no I/O).

menu_model (node kinds, Menu) - menu_load (load_menu: YAML -> Menu, every error with file:line)
- menu_validate (graph rules) - events (events, commands, the adapter protocol) - rules
(transition table) - core (IvrCall.handle(event, now)) - simulate (a scripted caller).
"""
