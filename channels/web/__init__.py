"""The browser app: a chat with the copilot and a small admin area, as static pages over the JSON API
(no build step, nothing loaded from the internet)."""
