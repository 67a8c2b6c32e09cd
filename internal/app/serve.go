package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Serve starts the job workers and the HTTP listeners and blocks until ctx
// is cancelled (SIGINT/SIGTERM), then shuts down gracefully: stop accepting,
// let in-flight requests finish, stop jobs softly then hard, close the DB.
// ready, when non-nil, receives the bound address once listening.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Cfg.Addr, err)
	}
	if err := a.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	servers := []*http.Server{a.server(a.handler)}
	listeners := []net.Listener{ln}
	if a.Cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", a.Cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen %s: %w", a.Cfg.MetricsAddr, err)
		}
		servers = append(servers, a.server(a.metrics))
		listeners = append(listeners, mln)
	}
	errc := make(chan error, len(servers))
	for i, s := range servers {
		go func() { errc <- s.Serve(listeners[i]) }()
	}
	a.Log.Info("hub listening", "addr", ln.Addr().String(), "public_url", a.Cfg.PublicURL.String(),
		"database", string(a.DB.Dialect), "env", a.Cfg.Env)
	if ready != nil {
		ready(ln.Addr().String())
	}
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	return errors.Join(serveErr, a.shutdown(servers))
}

func (a *App) shutdown(servers []*http.Server) error {
	timeout := a.Cfg.ShutdownTimeout
	a.Log.Info("shutting down", "timeout", timeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
	}
	if err := a.Stop(timeout); err != nil {
		errs = append(errs, err)
	}
	if err := a.DB.Close(); err != nil {
		errs = append(errs, err)
	}
	a.Log.Info("stopped")
	return errors.Join(errs...)
}

func (a *App) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          nil,
	}
}

// Start runs the background parts: job workers and the usage flusher.
func (a *App) Start(ctx context.Context) error {
	if err := a.Jobs.Start(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	a.Gateway.StartQuickDrains(a.Cfg.JobWorkers, a.Cfg.JobTimeout)
	if err := a.Dispatcher.Start(ctx); err != nil {
		return fmt.Errorf("start webhook events: %w", err)
	}
	a.Usage.Run(5 * time.Second)
	a.startAuth()
	a.startRealtime()
	return nil
}

// Stop stops jobs softly then hard and flushes pending usage counts.
func (a *App) Stop(soft time.Duration) error {
	var errs []error
	if err := a.Dispatcher.Stop(soft, 5*time.Second); err != nil {
		errs = append(errs, fmt.Errorf("webhook events stop: %w", err))
	}
	a.Gateway.StopQuickDrains(soft)
	if err := a.Jobs.Stop(soft, 5*time.Second); err != nil {
		errs = append(errs, fmt.Errorf("jobs stop: %w", err))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Usage.Close(ctx); err != nil {
		errs = append(errs, fmt.Errorf("usage flush: %w", err))
	}
	for _, fn := range a.onStop {
		fn()
	}
	return errors.Join(errs...)
}
