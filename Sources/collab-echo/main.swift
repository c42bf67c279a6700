print("collab-echo")
