from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("licite administration")
admin.site.site_title = "licite"
admin.site.index_title = _("Records and settings")
