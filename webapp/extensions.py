"""Flask extensions, created unbound; ``create_app`` attaches them with ``init_app``."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# No default limits: only the routes that name a limit (the login POST) are limited.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
