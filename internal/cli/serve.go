package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"steward.city/steward/internal/auth"
	"steward.city/steward/internal/civic"
	"steward.city/steward/internal/classify"
	"steward.city/steward/internal/demo"
	"steward.city/steward/internal/jobs"
	"steward.city/steward/internal/server"
	"steward.city/steward/internal/sqlstore"
	"steward.city/steward/internal/web"
)

func (a *app) serve(args []string) error {
	f := a.flags("serve")
	addr := f.String("addr", "127.0.0.1:8080", "address to listen on")
	sf := f.store()
	demoCity := f.Bool("demo", false, "create a demo city on first start, to explore Steward")
	level := f.String("log-level", "info", "debug, info, warn or error")
	oc := f.oidcFlags()
	vf := f.vaultFlags()
	mf := f.mailFlags()
	af := f.archiveFlags()
	kf := f.keyFlags()
	wf := f.witnessFlags()
	cf := f.captureFlags()
	mtf := f.metricsFlags()
	proxies := f.String("trusted-proxies", "", "comma-separated CIDR prefixes of reverse proxies whose X-Forwarded-For is believed (rightmost untrusted hop); empty: none")
	tz := f.zone()
	publicRate := f.Int("public-rate", server.DefaultPublicPerMinute, "requests a minute one client address may make to the public records portal (/public); -1: no limit")
	publicShared := f.String("public-shared", "", "comma-separated CIDR prefixes of addresses many people share (city hall, libraries), which get --public-shared-rate")
	publicSharedRate := f.Int("public-shared-rate", 20*server.DefaultPublicPerMinute, "requests a minute a shared address may make to the public records portal")
	approver := f.String("covert-approver", civic.DefaultCovertApprover, "slug of the department whose director approves covert access (with a SIC commander's proposal)")
	jobTimeout := f.Duration("job-timeout", jobs.DefaultTimeout, "how long one background job may run before it is cancelled and tried again")
	importMaxFlag := f.String("import-max", "2GB", "the largest platform export one may upload to import from the pages or the API, such as 500MB or 4GB; a larger one is refused (413)")
	jobRescue := f.Duration("job-rescue-after", 0, "how long a job may stay running before another process takes its process for dead and runs it again (0: --job-timeout + 5m)")
	roleFlag := f.String("role", RoleAll, "web: serve the pages and the API and queue jobs; worker: work the background jobs, without HTTP; all: both")
	if err := f.Parse(args); err != nil {
		return err
	}
	publicURL, err := mf.publicURL()
	if err != nil {
		return err
	}
	if *jobTimeout <= 0 || *jobRescue < 0 || (*jobRescue > 0 && *jobRescue < *jobTimeout) {
		return usagef("--job-timeout must be positive, and --job-rescue-after 0 or at least --job-timeout (a job is taken for stuck only once it would have been cancelled)")
	}
	role, err := parseRole(*roleFlag)
	if err != nil {
		return err
	}
	mediaNets, err := cf.mediaNets()
	if err != nil {
		return err
	}
	mediaMax, err := cf.maxMedia(*af.s3[0] != "")
	if err != nil {
		return err
	}
	importMax, err := parseSize(*importMaxFlag)
	if err != nil || importMax <= 0 {
		return usagef("--import-max %q: want a size such as 500MB or 4GB", *importMaxFlag)
	}
	if *af.s3[0] != "" && importMax > s3Max-64 {
		return usagef("--import-max %q: an S3 media store takes files of at most 5GB in one upload; give --import-max 4GB or less", *importMaxFlag)
	}
	trusted, err := server.ParseProxies(*proxies)
	if err != nil {
		return usagef("--trusted-proxies %q: want CIDR prefixes such as 10.0.0.0/8,fd00::/8: %v", *proxies, err)
	}
	shared, err := server.ParseProxies(*publicShared)
	if err != nil {
		return usagef("--public-shared %q: want CIDR prefixes such as 192.0.2.10/32: %v", *publicShared, err)
	}
	if *publicRate == 0 || *publicRate < -1 || *publicSharedRate < 1 {
		return usagef("--public-rate must be a positive number of requests a minute or -1, and --public-shared-rate positive")
	}
	log, err := a.logger(*level)
	if err != nil {
		return err
	}
	// An unknown zone fails before anything starts.
	loc, err := location(*tz, *demoCity, log)
	if err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(*addr); err != nil {
		return usagef("--addr %q: want host:port, for example 127.0.0.1:8080", *addr)
	}
	capTick, err := time.ParseDuration(*cf.tick)
	if err != nil || capTick < 0 {
		return usagef("--capture-tick %q: want a duration such as 30s, or 0 to turn capture off", *cf.tick)
	}
	// Listen first: a port in use is the most common start-up mistake. A
	// worker listens on nothing.
	var ln, mln net.Listener
	if role.web() {
		if ln, err = net.Listen("tcp", *addr); err != nil {
			return fmt.Errorf("cannot listen on %s (is another program using the port?): %w", *addr, err)
		}
		defer ln.Close()
		if mln, err = mtf.listen(log); err != nil {
			return err
		}
		if mln != nil {
			defer mln.Close()
		}
	}
	if err := checkDataDir(*sf.data); err != nil {
		return err
	}
	mailer, err := mf.mailer()
	if err != nil {
		return err
	}

	// The vault key is read before the database is opened, and checked
	// against it before anything is written: a wrong key changes nothing.
	v, err := a.loadVault(vf, *sf.data, true)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(a.ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	openCtx, cancel := context.WithTimeout(ctx, time.Minute)
	store, err := a.openStore(openCtx, sf)
	cancel()
	if err != nil {
		return err
	}
	defer store.Close()
	if d, err := store.WriteDurability(ctx); err != nil {
		return err
	} else if d.Durable {
		log.Info("database writes are durable", "setting", d.Setting)
	} else {
		log.Warn("database writes are not durable: on power loss or a kernel crash the last acknowledged records can vanish", "setting", d.Setting)
	}
	if err := unlockVault(ctx, store, v); err != nil {
		return err
	}
	arch, signEvery, disposeEvery, err := a.startArchive(ctx, store, af, kf, wf, *sf.data, log)
	if err != nil {
		return err
	}
	_, target, _ := parseDB(*sf.db, *sf.data)
	hostname, _ := os.Hostname()
	queue, err := newQueue(store, jobs.Config{URL: target, Logger: log, Timeout: *jobTimeout, RescueAfter: *jobRescue,
		// The process's name on the jobs page: its host and process id.
		ID: fmt.Sprintf("%s_%d_%s", cmp.Or(hostname, "steward"), os.Getpid(), a.now().UTC().Format("20060102T150405"))})
	if err != nil {
		return err
	}
	if queue == nil {
		return fmt.Errorf("job queue: the %s store has no database pool", store.Engine())
	}

	model, err := classify.Default()
	if err != nil {
		return fmt.Errorf("comment classifier: %w", err)
	}
	sch := DefaultSchedule
	sch.Capture, sch.Checkpoint, sch.Disposition = capTick, signEvery, disposeEvery
	sc := ServicesConfig{Store: store, Clock: a.now, Logger: log, Archive: arch, Vault: v, Screener: model, AppName: *cf.app, CovertApprover: *approver, Location: loc, MediaAllow: mediaNets, MediaMax: mediaMax,
		Jobs: queue, Schedule: sch}
	if mailer != nil {
		sc.Mailer, sc.PublicURL = mailer, publicURL
	}
	svcs := NewServices(sc)
	if _, err := store.DepartmentBySlug(ctx, svcs.Registry.CovertApprover()); err != nil && !*demoCity {
		log.Warn("no department for --covert-approver: nobody can approve covert access until it exists", "department", svcs.Registry.CovertApprover())
	}
	var sso web.SSO
	if cfg, on, err := oc.config(); err != nil {
		return err
	} else if on {
		o, err := auth.NewOIDC(cfg, svcs.Auth)
		if err != nil {
			return usagef("%v", err)
		}
		sso = o
	}
	if *demoCity && role.web() {
		if ip := net.ParseIP(host(ln.Addr().String())); ip == nil || !ip.IsLoopback() {
			log.Warn("the demo city's passwords are published; do not let others reach this address", "addr", ln.Addr().String())
		}
		logins, err := demo.Seed(ctx, store)
		if err != nil {
			return fmt.Errorf("demo city: %w", err)
		}
		printDemo(a, ln.Addr().String(), logins)
	}
	if role.worker() {
		if err := svcs.StartJobs(ctx); err != nil {
			return err
		}
		defer func() {
			stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
			defer cancel()
			if err := queue.Stop(stopCtx); err != nil {
				log.Warn("stopping the job workers", "err", err)
			}
		}()
		log.Info("steward worker running", "jobs", strings.Join(queue.Kinds(), ","), "schedule", sch.String(), "database", store.Engine(), "version", Version)
	}
	if !role.web() {
		<-ctx.Done()
		log.Info("shutting down")
		return nil
	}
	handler, err := svcs.Handler(HandlerConfig{SSO: sso, MetricsToken: *mtf.token, MetricsElsewhere: mln != nil, TrustedProxies: trusted, PublicURL: publicURL, ImportMax: importMax,
		PublicLimit: server.PublicLimit{PerMinute: *publicRate, Shared: shared, SharedPerMinute: *publicSharedRate, Clock: a.now}})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 2)
	var msrv *http.Server
	if mln != nil {
		// Logged before "steward listening", which tells scripts and
		// tests that every listener is up.
		msrv = &http.Server{Handler: handler.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute}
		go func() { errc <- msrv.Serve(mln) }()
		log.Info("metrics listening", "addr", "http://"+mln.Addr().String()+"/metrics", "token", *mtf.token != "")
	}
	log.Info("steward listening", "addr", "http://"+ln.Addr().String(), "role", string(role), "database", store.Engine(), "version", Version)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if msrv != nil {
		msrv.Shutdown(shutCtx)
	}
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func host(addr string) string {
	h, _, _ := net.SplitHostPort(addr)
	return h
}

func printDemo(a *app, addr string, logins []demo.Login) {
	fmt.Fprintf(a.stdout, "\nSteward demo city: open http://%s/ and sign in as any of these (password %q):\n\n", addr, demo.Password)
	for _, l := range logins {
		fmt.Fprintf(a.stdout, "  %-16s %s\n", l.Role, l.Email)
	}
	fmt.Fprintln(a.stdout, "\nThe demo data is invented and marked as demo on every page.")
}

// oidcFlags are the single sign-on settings.
type oidcFlags struct {
	name, issuer, clientID, secret, redirect, claim, roles, create *string
	covert                                                         *bool
}

func (f *flags) oidcFlags() oidcFlags {
	return oidcFlags{
		name:     f.String("oidc-name", "", "provider name on the sign-in button, e.g. \"Entra ID\""),
		issuer:   f.String("oidc-issuer", "", "OpenID Connect issuer URL; setting it turns single sign-on on"),
		clientID: f.String("oidc-client-id", "", "client (application) id registered with the provider"),
		secret:   f.String("oidc-client-secret", "", "client secret (prefer the environment variable)"),
		redirect: f.String("oidc-redirect-url", "", "this server's callback, https://steward.example.gov/sso/callback"),
		claim:    f.String("oidc-groups-claim", "groups", "ID token claim that lists the user's groups"),
		roles:    f.String("oidc-role-map", "", "group=role[:department],…: roles given by provider groups at each sign-in"),
		create:   f.String("oidc-create-department", "", "department slug for people who sign in without a Steward user; empty: refuse them"),
		covert:   f.Bool("oidc-covert-users", false, "let users who hold covert access sign in through single sign-on (an identity linked before they got it); off: they use their Steward password"),
	}
}

// config returns the OIDC configuration and whether single sign-on is on.
func (o oidcFlags) config() (auth.OIDCConfig, bool, error) {
	if *o.issuer == "" {
		return auth.OIDCConfig{}, false, nil
	}
	rm, err := auth.ParseRoleMap(*o.roles)
	if err != nil {
		return auth.OIDCConfig{}, false, usagef("--oidc-role-map: %v", err)
	}
	if *o.clientID == "" || *o.redirect == "" {
		return auth.OIDCConfig{}, false, usagef("single sign-on needs --oidc-client-id and --oidc-redirect-url as well as --oidc-issuer")
	}
	return auth.OIDCConfig{Name: *o.name, Issuer: *o.issuer, ClientID: *o.clientID, ClientSecret: *o.secret, RedirectURL: *o.redirect,
		GroupsClaim: *o.claim, RoleMap: rm, CreateDepartment: *o.create, CovertUsers: *o.covert}, true, nil
}

func (a *app) migrate(args []string) error {
	f := a.flags("migrate")
	sf := f.store()
	return a.withStore(f, sf, args, func(s *sqlstore.Store) error {
		fmt.Fprintf(a.stdout, "database (%s) is up to date\n", s.Engine())
		return nil
	})
}
