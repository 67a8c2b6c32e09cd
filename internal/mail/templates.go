package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// Kinds of message.
const (
	KindInvitation = "invitation" // join an account (a new person also sets a password)
	KindReset      = "reset"      // choose a new password
	KindIncident   = "incident"   // something of an account stopped working (its admins)
)

// Data fills a message. Link is the one-time link; the rest is shown.
type Data struct {
	Link        string
	AccountName string
	InviterName string
	Role        string
	HasLogin    bool // the invitation goes to someone who already signs in
	ValidFor    string
	// Incident is the kind of an incident mail (number_down, dead_letters,
	// link_failing, messages_over_limit, messages_near_limit) and Resource
	// what it is about (a number's name, a count of dead items, the
	// Chatwoot address, the month YYYY-MM).
	Incident string
	Resource string
	// Used and Limit are the messages of the month and the plan's limit
	// (the messages_* incidents).
	Used, Limit int
}

type texts struct {
	subject, greeting, body, action, validity, ignore, footer string
}

// Two locales: pt-BR (the hub's default) and en. Placeholders are
// text/template fields of Data.
var catalog = map[string]map[string]texts{
	"pt-BR": {
		KindInvitation: {
			subject:  "Convite para {{.AccountName}} no WhatPro Hub",
			greeting: "Olá,",
			body: "{{if .InviterName}}{{.InviterName}} convidou você{{else}}Você foi convidado{{end}} para a conta {{.AccountName}} no WhatPro Hub, " +
				"com o papel {{.Role}}.",
			action:   "{{if .HasLogin}}Entre com o seu acesso para aceitar o convite:{{else}}Escolha a sua senha para ativar o seu acesso:{{end}}",
			validity: "O link funciona uma vez e vale por {{.ValidFor}}.",
			ignore:   "Se você não esperava este convite, ignore esta mensagem.",
			footer:   "WhatPro Hub",
		},
		KindReset: {
			subject:  "Redefinição de senha do WhatPro Hub",
			greeting: "Olá,",
			body:     "Alguém pediu para redefinir a senha do seu acesso ao WhatPro Hub.",
			action:   "Escolha uma nova senha:",
			validity: "O link funciona uma vez e vale por {{.ValidFor}}.",
			ignore:   "Se não foi você, ignore esta mensagem: a sua senha continua a mesma.",
			footer:   "WhatPro Hub",
		},
		KindIncident: {
			subject: "{{if eq .Incident \"number_down\"}}Número {{.Resource}} desconectado{{else if eq .Incident \"dead_letters\"}}Mensagens não entregues" +
				"{{else if eq .Incident \"messages_over_limit\"}}Limite mensal de mensagens atingido{{else if eq .Incident \"messages_near_limit\"}}80% do limite mensal de mensagens usado" +
				"{{else}}Falha na conexão com o Chatwoot{{end}} em {{.AccountName}}",
			greeting: "Olá,",
			body: "{{if eq .Incident \"number_down\"}}O número {{.Resource}} da conta {{.AccountName}} foi desconectado do WhatsApp e não envia nem recebe mensagens." +
				"{{else if eq .Incident \"dead_letters\"}}O gateway da conta {{.AccountName}} tem {{.Resource}} mensagem(ns) que não puderam ser entregues depois de várias tentativas." +
				"{{else if eq .Incident \"messages_over_limit\"}}A conta {{.AccountName}} chegou ao limite do plano de {{.Limit}} mensagens por mês: {{.Used}} mensagens em {{.Resource}}. " +
				"As mensagens dos clientes continuam chegando ao Chatwoot, mas as respostas dos agentes não são enviadas ao WhatsApp (cada uma recebe uma nota privada explicando o motivo). " +
				"Para voltar a responder, aumente o limite do plano ou aguarde o início do próximo mês." +
				"{{else if eq .Incident \"messages_near_limit\"}}A conta {{.AccountName}} já usou {{.Used}} das {{.Limit}} mensagens por mês que o plano permite em {{.Resource}}. " +
				"Ao chegar ao limite, as mensagens dos clientes continuam chegando ao Chatwoot, mas as respostas dos agentes deixam de ser enviadas ao WhatsApp até o próximo mês. " +
				"Para evitar, aumente o limite do plano." +
				"{{else}}A conta {{.AccountName}} não consegue falar com o Chatwoot em {{.Resource}}.{{end}}",
			action:   "Abra o console para ver e resolver:",
			validity: "Avisamos uma vez por incidente; se voltar a acontecer depois de resolvido, você recebe outro aviso.",
			ignore:   "Você recebe esta mensagem por administrar a conta {{.AccountName}}.",
			footer:   "WhatPro Hub",
		},
	},
	"en": {
		KindInvitation: {
			subject:  "Invitation to {{.AccountName}} on WhatPro Hub",
			greeting: "Hello,",
			body:     "{{if .InviterName}}{{.InviterName}} invited you{{else}}You were invited{{end}} to the account {{.AccountName}} on WhatPro Hub, as {{.Role}}.",
			action:   "{{if .HasLogin}}Sign in with your login to accept the invitation:{{else}}Choose your password to activate your login:{{end}}",
			validity: "The link works once and expires in {{.ValidFor}}.",
			ignore:   "If you did not expect this invitation, ignore this e-mail.",
			footer:   "WhatPro Hub",
		},
		KindReset: {
			subject:  "WhatPro Hub password reset",
			greeting: "Hello,",
			body:     "Someone asked to reset the password of your WhatPro Hub login.",
			action:   "Choose a new password:",
			validity: "The link works once and expires in {{.ValidFor}}.",
			ignore:   "If it was not you, ignore this e-mail: your password stays as it is.",
			footer:   "WhatPro Hub",
		},
		KindIncident: {
			subject: "{{if eq .Incident \"number_down\"}}Number {{.Resource}} disconnected{{else if eq .Incident \"dead_letters\"}}Undelivered messages" +
				"{{else if eq .Incident \"messages_over_limit\"}}Monthly message limit reached{{else if eq .Incident \"messages_near_limit\"}}80% of the monthly message limit used" +
				"{{else}}The Chatwoot link is failing{{end}} on {{.AccountName}}",
			greeting: "Hello,",
			body: "{{if eq .Incident \"number_down\"}}The number {{.Resource}} of the account {{.AccountName}} was disconnected from WhatsApp: it neither sends nor receives messages." +
				"{{else if eq .Incident \"dead_letters\"}}The gateway of the account {{.AccountName}} holds {{.Resource}} message(s) it could not deliver after several attempts." +
				"{{else if eq .Incident \"messages_over_limit\"}}The account {{.AccountName}} reached its plan's limit of {{.Limit}} messages a month: {{.Used}} messages in {{.Resource}}. " +
				"Customers' messages still reach Chatwoot, but agents' replies are not sent to WhatsApp (each gets a private note saying why). " +
				"To reply again, raise the plan's limit or wait for the next month." +
				"{{else if eq .Incident \"messages_near_limit\"}}The account {{.AccountName}} has used {{.Used}} of the {{.Limit}} messages a month its plan allows in {{.Resource}}. " +
				"At the limit, customers' messages still reach Chatwoot, but agents' replies are no longer sent to WhatsApp until the next month. " +
				"To avoid it, raise the plan's limit." +
				"{{else}}The account {{.AccountName}} cannot reach Chatwoot at {{.Resource}}.{{end}}",
			action:   "Open the console to see and fix it:",
			validity: "We write once per incident; if it happens again after it was fixed, you get another e-mail.",
			ignore:   "You get this e-mail as an admin of the account {{.AccountName}}.",
			footer:   "WhatPro Hub",
		},
	},
}

// Locale picks the catalog for a user's locale: pt-BR unless it is English.
func Locale(l string) string {
	if strings.HasPrefix(strings.ToLower(l), "en") {
		return "en"
	}
	return "pt-BR"
}

var htmlPage = htmltemplate.Must(htmltemplate.New("page").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="margin:0;padding:24px;background:#f8f9fa;font-family:Inter,Arial,sans-serif;font-size:14px;color:#1c2024">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border:1px solid #e0e1e6;border-radius:12px;padding:32px">
<tr><td>
<p>{{.Greeting}}</p>
<p>{{.Body}}</p>
<p>{{.Action}}</p>
<p style="margin:24px 0"><a href="{{.Link}}" style="background:#2781f6;color:#ffffff;text-decoration:none;padding:10px 18px;border-radius:8px;display:inline-block">{{.Button}}</a></p>
<p style="color:#60646c;font-size:12px;word-break:break-all">{{.Link}}</p>
<p style="color:#60646c">{{.Validity}}</p>
<p style="color:#60646c">{{.Ignore}}</p>
<p style="color:#8b8d98;font-size:12px">{{.Footer}}</p>
</td></tr></table></td></tr></table>
</body></html>`))

var buttons = map[string]map[string]string{
	"pt-BR": {KindInvitation: "Abrir o convite", KindReset: "Redefinir a senha", KindIncident: "Abrir o console"},
	"en":    {KindInvitation: "Open the invitation", KindReset: "Reset the password", KindIncident: "Open the console"},
}

// Render builds the message of kind for to, in locale.
func Render(kind, locale, to string, d Data) (Message, error) {
	loc := Locale(locale)
	t, ok := catalog[loc][kind]
	if !ok {
		return Message{}, fmt.Errorf("mail: unknown message kind %q", kind)
	}
	fill := func(s string) (string, error) {
		tpl, err := texttemplate.New("").Parse(s)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		if err := tpl.Execute(&b, d); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	parts := map[string]string{}
	for name, s := range map[string]string{"subject": t.subject, "greeting": t.greeting, "body": t.body, "action": t.action,
		"validity": t.validity, "ignore": t.ignore, "footer": t.footer} {
		v, err := fill(s)
		if err != nil {
			return Message{}, err
		}
		parts[name] = v
	}
	text := strings.Join([]string{parts["greeting"], parts["body"], parts["action"] + "\n" + d.Link, parts["validity"],
		parts["ignore"], "-- \n" + parts["footer"]}, "\n\n") + "\n"
	var html bytes.Buffer
	err := htmlPage.Execute(&html, map[string]string{"Lang": loc, "Subject": parts["subject"], "Greeting": parts["greeting"],
		"Body": parts["body"], "Action": parts["action"], "Link": d.Link, "Button": buttons[loc][kind], "Validity": parts["validity"],
		"Ignore": parts["ignore"], "Footer": parts["footer"]})
	if err != nil {
		return Message{}, err
	}
	return Message{To: to, Subject: parts["subject"], Text: text, HTML: html.String()}, nil
}
