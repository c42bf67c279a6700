print("collab-typist: not available yet")
