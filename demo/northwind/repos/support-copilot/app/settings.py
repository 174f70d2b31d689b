"""Settings of the support copilot's web service."""
import os

SLACK_BOT_TOKEN = "xoxb-08720823324-9713852562197-GHPyH6yJjT9pntOWzx4PSIV0"
OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
DATABASE_URL = "postgres://copilot:yEGCD3DRJXxnZyQuoU@tickets.db.northwind.internal:5432/support"
SESSION_SECRET = os.environ.get("SESSION_SECRET", "changeme")
