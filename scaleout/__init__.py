"""Running several Rasa replicas on shared stores."""
