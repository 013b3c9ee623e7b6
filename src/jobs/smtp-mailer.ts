import nodemailer from 'nodemailer'

import type { Mail, Mailer } from './job-types.ts'

/** Mail over SMTP (`smtp://user:pass@host:port`, `smtps://…` for TLS from the start). */
export function smtpMailer(url: string, from: string): Mailer & { close(): void } {
  // one pool of connections: a connection per message costs a handshake each
  const pooled = new URL(url)
  if (!pooled.searchParams.has('pool')) pooled.searchParams.set('pool', 'true')
  const transport = nodemailer.createTransport(pooled.toString())
  return {
    async send(mail: Mail) {
      await transport.sendMail({ from, to: [...mail.to], subject: mail.subject, text: mail.text })
    },
    close() {
      transport.close()
    },
  }
}
