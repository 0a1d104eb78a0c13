"""The pain diary's table, in the same database as the trackers (SKELETON: issue 14 builds it).

Interface used by the actions, the file routes, delete and retention:
    store = diary_store()                      # from ops.settings.database(), bounded like the tracker store
    store.add(conversation, entry) -> int      # entry: bot.diary.Entry; returns its id
    store.entries(conversation) -> List[Entry] # oldest first, each with "id"
    store.delete_conversation(conversation) -> int
    store.purge(conversations) -> int          # retention: the diaries of purged conversations
"""
