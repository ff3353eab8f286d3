# Copyright 2026 freight_sync contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Freight Sync Web",
    "summary": "TypeScript OWL screens of Freight Sync: milestone timeline and more",
    "version": "17.0.1.0.0",
    "category": "Inventory/Delivery",
    "website": "https://github.com/freight-sync/freight_sync",
    "author": "freight_sync contributors",
    "maintainers": ["freight-sync"],
    "license": "LGPL-3",
    "installable": True,
    "auto_install": ["freight_sync"],
    "depends": ["freight_sync", "web"],
    "data": [
        "views/freight_shipment_views.xml",
        "views/freight_invoice_upload_views.xml",
        "views/freight_workbench_views.xml",
        "views/freight_dashboard_views.xml",
        "views/freight_exception_views.xml",
        "views/freight_scorecard_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            # built from static/src/ts by esbuild (npm run build); committed, checked in CI
            "freight_sync_web/static/src/dist/freight_sync_web.js",
            "freight_sync_web/static/src/xml/**/*.xml",
            "freight_sync_web/static/src/scss/**/*.scss",
        ],
        "web.qunit_suite_tests": [
            "freight_sync_web/static/tests/**/*.js",
        ],
    },
}
