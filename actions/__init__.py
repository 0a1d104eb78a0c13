"""Backline's custom actions (rasa-sdk): a thin layer between Rasa's tracker and the clinical core in bot/."""
