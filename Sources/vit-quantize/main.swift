import ViTCommands

ProcessSetup.preparePassiveOpenMP()
QuantizeCommand.main()
