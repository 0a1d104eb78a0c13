"""Rasa NLU components that connect Rasa's pipeline to the clinical core in bot/."""
