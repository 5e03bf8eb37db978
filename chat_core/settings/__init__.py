"""Settings: one declaration each, parsed from secrets, the environment and .env, a visitor's
choices, kept with a conversation; presets.
"""
