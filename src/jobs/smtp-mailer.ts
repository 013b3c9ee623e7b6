import nodemailer from 'nodemailer'

import type { Mail, Mailer } from './job-types.ts'

/** Mail over SMTP (`smtp://user:pass@host:port`, `smtps://…` for TLS from the start). */
export function smtpMailer(url: string, from: string): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(url)
  return {
    async send(mail: Mail) {
      await transport.sendMail({ from, to: [...mail.to], subject: mail.subject, text: mail.text })
    },
    close() {
      transport.close()
    },
  }
}
