"""Short-lived signed links to a conversation's diary chart, report and export (SKELETON: issue 14).

Interface:
    link(conversation, kind) -> str            # kind: "chart.png", "report.pdf" or "diary.csv"; absolute URL
                                               # served by the Rasa server's own channel route
    conversation_of(token, kind) -> Optional[str]  # the conversation a valid, unexpired token names
"""
