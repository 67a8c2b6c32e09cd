package app_test

import (
	"github.com/whatpro/hub/internal/app"
	"github.com/whatpro/hub/internal/httpx"
)

func appOpts(routes []httpx.Route) app.Options { return app.Options{ExtraRoutes: routes} }
