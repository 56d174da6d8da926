"""Flask extensions, created once and bound to the app in ``create_app``."""

from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.models.base import Base

# Models derive from our own typed Base; Flask-SQLAlchemy only manages engines and sessions.
db = SQLAlchemy(metadata=Base.metadata)
login_manager = LoginManager()
csrf = CSRFProtect()
