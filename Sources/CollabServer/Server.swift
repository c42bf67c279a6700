// The collaboration server lands with the server issue.
